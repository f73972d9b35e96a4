import { createRoot } from 'react-dom/client';
import { App } from './App';
import { applyStoredTheme } from './components/ThemePicker';
import { useApp } from './stores/app';
import { useAudit } from './stores/audit';
import { useClipboard } from './stores/clipboard';
import { useProfiles } from './stores/profiles';
import { useRollback } from './stores/rollback';
import { useShell } from './stores/shell';
import { useTunnels } from './stores/tunnels';
import { connectBridge } from './wsBridge';

/** One bridge and one initialisation per store, before the first render uses them. */
const root = createRoot(document.getElementById('root') as HTMLElement);
try {
  const bridge = connectBridge();
  applyStoredTheme();
  useClipboard.getState().init(bridge);
  useRollback.getState().init(bridge);
  useAudit.getState().init(bridge);
  useShell.getState().init(bridge);
  void Promise.all([useProfiles.getState().init(bridge), useTunnels.getState().init(bridge), useApp.getState().init(bridge)]);
  root.render(<App bridge={bridge} />);
} catch (error) {
  root.render(
    <div className="error" role="alert">
      <strong>{error instanceof Error ? error.message : 'Jumpgate could not start.'}</strong>
    </div>,
  );
}
