import { useEffect, useState } from 'react';

/** Ticks once a second so uptimes and countdowns move; the data itself comes from events. */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}
