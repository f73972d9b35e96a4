import { createContext, useContext } from 'react';
import type { Stores } from './stores/createStores';

/** The stores of this window, built once at the root (main.tsx); components read them here instead of importing singletons. */
export const StoresContext = createContext<Stores | undefined>(undefined);

export function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('useStores outside <StoresContext>');
  return stores;
}
