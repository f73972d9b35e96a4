import { useNow } from '../hooks/useNow';
import { formatRate, ratesPerSecond, SPARKLINE_SECONDS } from '../throughput';
import { useStores } from '../storesContext';

const WIDTH = 120;
const HEIGHT = 24;

/** The last minute of a tunnel's throughput (both ways), drawn small beside its state; the label says the numbers. */
export function Sparkline({ tunnelId, targetName }: { tunnelId: string; targetName: string }) {
  const now = useNow();
  const history = useStores().useThroughput((state) => state.byId[tunnelId]);
  if (!history) return null;
  const rates = ratesPerSecond(history, now);
  const peak = Math.max(...rates);
  const current = rates.at(-1) ?? 0;
  const scale = peak > 0 ? (HEIGHT - 2) / peak : 0;
  const step = WIDTH / (SPARKLINE_SECONDS - 1);
  const points = rates.map((rate, index) => `${(index * step).toFixed(1)},${(HEIGHT - 1 - rate * scale).toFixed(1)}`).join(' ');
  return (
    <svg
      className="sparkline"
      role="img"
      aria-label={`Throughput of ${targetName}, last minute: now ${formatRate(current)}, peak ${formatRate(peak)}`}
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
    >
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
