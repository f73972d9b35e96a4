/**
 * Renderer entry. The React UI arrives with the renderer issue; until then the
 * window states plainly what this build can do.
 */
interface JumpgateBridge {
  runtime: 'electron';
}

declare global {
  interface Window {
    jumpgate?: JumpgateBridge;
  }
}

const root = document.getElementById('root');
if (root) {
  const heading = document.createElement('h1');
  heading.textContent = 'Jumpgate';
  const note = document.createElement('p');
  note.textContent =
    window.jumpgate?.runtime === 'electron'
      ? 'The tunnel engine is running in the main process. Profiles and the connect screens come next.'
      : 'Open Jumpgate from the desktop app.';
  root.append(heading, note);
}

export {};
