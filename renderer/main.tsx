import { createRoot } from 'react-dom/client';
import { App } from './App';
import { applyTheme, cachedTheme } from './theme';
import { createStores, startStores } from './stores/createStores';
import { connectBridge } from './wsBridge';

/** One bridge, and the window's stores built from it and started, before the first render uses them. */
const root = createRoot(document.getElementById('root') as HTMLElement);
try {
  const stores = createStores(connectBridge());
  applyTheme(cachedTheme());
  startStores(stores);
  root.render(<App stores={stores} />);
} catch (error) {
  root.render(
    <div className="error" role="alert">
      <strong>{error instanceof Error ? error.message : 'Jumpgate could not start.'}</strong>
    </div>,
  );
}
