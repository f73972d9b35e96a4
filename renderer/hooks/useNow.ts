import { useEffect, useState } from 'react';

/**
 * The time, for uptimes and countdowns: ticks once a second so they move, and
 * reads the clock afresh whenever the component renders for another reason (an
 * event), so a countdown to a deadline that event just set never shows more
 * than was set. Call it in the component that shows the time, not above it: a
 * tick re-renders only that component.
 */
export function useNow(): number {
  const [tick, setTick] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setTick(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return Math.max(tick, Date.now());
}
