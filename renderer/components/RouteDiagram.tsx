import type { Profile } from '../../shared/model/profile';
import { routeOf, type Hop } from '../route';
import { useStores } from '../storesContext';

const ROW = 46;
const NODE = { width: 170, height: 36 };
const COLUMNS = [8, 246, 484];
const WORDS: Record<Hop['status'], string> = { ok: 'working', bad: 'broken', waiting: 'waiting for you', unknown: 'not checked' };

/**
 * The profile's route as a picture (issue #13): this computer, the jump box and each database,
 * every hop coloured by its newest word (live tunnel state or the doctor's last run). Each node
 * and link is labelled for screen readers with its state and why.
 */
export function RouteDiagram({ profile }: { profile: Profile }) {
  const { useTunnels, useDoctor } = useStores();
  const tunnels = useTunnels((state) => state.byId);
  const run = useDoctor((state) => state.runs[profile.id]);
  const route = routeOf(profile, (targetId) => tunnels[`${profile.id}/${targetId}`]?.state ?? { status: 'idle' }, run);
  const rows = Math.max(route.targets.length, 1);
  const height = rows * ROW + 8;
  const middle = (rows * ROW) / 2 + 4 - NODE.height / 2;
  const jump = profile.jumpHost;

  return (
    <svg className="route" role="group" aria-label="Route to the databases" viewBox={`0 0 ${COLUMNS[2]! + NODE.width + 8} ${height}`} width="100%">
      <Link from={[COLUMNS[0]! + NODE.width, middle + NODE.height / 2]} to={[COLUMNS[1]!, middle + NODE.height / 2]} hop={route.toJumpBox} label="This computer to the jump box" />
      <Node x={COLUMNS[0]!} y={middle} title="This computer" subtitle="key, local ports" hop={route.computer} />
      <Node x={COLUMNS[1]!} y={middle} title="Jump box" subtitle={`${jump.user}@${jump.host}`} hop={route.jumpBox} />
      {route.targets.map((target, index) => {
        const y = 4 + index * ROW + (ROW - NODE.height) / 2 - 4;
        return (
          <g key={target.id}>
            <Link from={[COLUMNS[1]! + NODE.width, middle + NODE.height / 2]} to={[COLUMNS[2]!, y + NODE.height / 2]} hop={target.toDatabase} label={`Jump box to ${target.name}`} />
            <Node x={COLUMNS[2]!} y={y} title={target.name} subtitle="database" hop={target.database} />
          </g>
        );
      })}
    </svg>
  );
}

function Node({ x, y, title, subtitle, hop }: { x: number; y: number; title: string; subtitle: string; hop: Hop }) {
  return (
    <g className={`hop hop-${hop.status}`} role="img" aria-label={`${title}: ${WORDS[hop.status]} (${hop.why})`}>
      <title>{`${title}: ${WORDS[hop.status]} (${hop.why})`}</title>
      <rect x={x} y={y} width={NODE.width} height={NODE.height} rx={6} />
      <text x={x + 10} y={y + 15} className="hop-title">
        {clip(title, 24)}
      </text>
      <text x={x + 10} y={y + 29} className="hop-subtitle">
        {clip(subtitle, 25)}
      </text>
    </g>
  );
}

function Link({ from, to, hop, label }: { from: [number, number]; to: [number, number]; hop: Hop; label: string }) {
  return (
    <g className={`hop-link hop-${hop.status}`} role="img" aria-label={`${label}: ${WORDS[hop.status]} (${hop.why})`}>
      <title>{`${label}: ${WORDS[hop.status]} (${hop.why})`}</title>
      <line x1={from[0]} y1={from[1]} x2={to[0]} y2={to[1]} />
    </g>
  );
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
