import { createContext, useContext } from 'react';
import type { JumpgateBridge } from '../shared/bridge';

/** The one bridge of this window, given once at the root; components read it instead of threading it through props. */
export const BridgeContext = createContext<JumpgateBridge | undefined>(undefined);

export function useBridge(): JumpgateBridge {
  const bridge = useContext(BridgeContext);
  if (!bridge) throw new Error('useBridge outside <BridgeContext>');
  return bridge;
}
