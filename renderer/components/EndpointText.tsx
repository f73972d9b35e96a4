import { Fragment } from 'react';
import type { DbTarget } from '../../shared/model/profile';
import { describeRemote } from '../format';

/** host:port, allowed to wrap after each dot of the long RDS names instead of mid-word. */
export function EndpointText({ endpoint }: { endpoint: { host: string; port: number } | undefined }) {
  if (!endpoint) return <span className="muted">no endpoint yet</span>;
  const parts = endpoint.host.split('.');
  return (
    <code className="endpoint">
      {parts.map((part, index) => (
        <Fragment key={index}>
          {part}
          {index < parts.length - 1 ? '.' : ''}
          {index < parts.length - 1 ? <wbr /> : null}
        </Fragment>
      ))}
      :{endpoint.port}
    </code>
  );
}

/** Where a target's tunnel leads: its host:port (wrapping at dots), or the RDS database it is looked up by. */
export function RemoteText({ target }: { target: DbTarget }) {
  return target.remote.kind === 'host' ? <EndpointText endpoint={target.remote} /> : <>{describeRemote(target)}</>;
}
