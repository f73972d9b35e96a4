import { Fragment } from 'react';
import type { DbTarget } from '../../shared/model/profile';
import { describeRemote } from '../format';

/** host:port, allowed to wrap after each dot of the long RDS names and nowhere else. */
export function EndpointText({ endpoint }: { endpoint: { host: string; port: number } | undefined }) {
  if (!endpoint) return <span className="muted">no endpoint yet</span>;
  const parts = endpoint.host.split('.');
  return (
    <code className="endpoint">
      {parts.map((part, index) => (
        <Fragment key={index}>
          {/* No break inside a label (not even at its hyphens, "eu-west-2"); the text copies as it is. */}
          <span className="endpoint-label">
            {part}
            {index < parts.length - 1 ? '.' : `:${endpoint.port}`}
          </span>
          {index < parts.length - 1 ? <wbr /> : null}
        </Fragment>
      ))}
    </code>
  );
}

/** Where a target's tunnel leads: its host:port (wrapping at dots), or the RDS database it is looked up by. */
export function RemoteText({ target }: { target: DbTarget }) {
  return target.remote.kind === 'host' ? <EndpointText endpoint={target.remote} /> : <>{describeRemote(target)}</>;
}
