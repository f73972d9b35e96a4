import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { useEffect, useRef, useState } from 'react';
import type { Profile } from '../../shared/model/profile';
import { SshQuestionDialog } from '../components/Prompts';
import { sshQuestionFor, type SshQuestion, type Unlock } from '../sshQuestions';
import { useStores } from '../storesContext';
import { notRememberedNotice } from '../stores/connect';
import { openTerminalUnderCsp } from '../terminalStyles';

/**
 * A terminal on the jump box for one-off work (the first-login `passwd`, a quick
 * look around): a channel of the same SSH connection the tunnels use, so it
 * costs no new login, resizes with the window, and closing it leaves the
 * tunnels alone.
 */
export function ShellScreen({ profile }: { profile: Profile }) {
  const { useShell, useHostKeys, useFeedback } = useStores();
  const session = useShell((state) => state.byProfile[profile.id]);
  const host = useRef<HTMLDivElement>(null);
  const terminal = useRef<{ term: Terminal; fit: FitAddon } | undefined>(undefined);
  const [question, setQuestion] = useState<SshQuestion | undefined>();
  const [opening, setOpening] = useState(false);
  const shellId = session?.status === 'open' ? session.shellId : undefined;

  // The terminal widget lives as long as the tab: a DOM concern, no transport here.
  useEffect(() => {
    if (!host.current) return;
    // lineHeight above 1: DejaVu Sans Mono (the monospace font of most Linux desktops) draws '_' below its
    // own descent, and the DOM renderer clips each row to the font's height (xtermjs/xterm.js#4067).
    const term = new Terminal({
      cursorBlink: true,
      fontSize: 14,
      lineHeight: 1.2,
      convertEol: false,
      scrollback: 5000,
      theme: { background: '#0b1114', foreground: '#d8e2e7', cursor: '#d8e2e7', cursorAccent: '#0b1114' },
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    // Not term.open(): xterm's own <style> elements are blocked by the CSP (issue #13; see terminalStyles.ts).
    const releaseStyles = openTerminalUnderCsp(term, host.current);
    fit.fit();
    terminal.current = { term, fit };
    const resize = new ResizeObserver(() => fit.fit());
    resize.observe(host.current);
    return () => {
      resize.disconnect();
      term.dispose();
      releaseStyles();
      terminal.current = undefined;
    };
  }, []);

  // While a shell is open: its output to the screen, keystrokes and size changes to the jump box.
  useEffect(() => {
    const current = terminal.current;
    if (!current || !shellId) return;
    const { attachOutput, input, resize } = useShell.getState();
    const detach = attachOutput(shellId, (data) => current.term.write(data));
    const typing = current.term.onData((data) => input(shellId, data));
    const resizing = current.term.onResize(({ cols, rows }) => resize(shellId, cols, rows));
    current.term.focus();
    return () => {
      detach();
      typing.dispose();
      resizing.dispose();
    };
  }, [useShell, shellId]);

  async function open(unlock?: Unlock): Promise<void> {
    const current = terminal.current;
    if (!current) return;
    current.fit.fit();
    current.term.reset();
    setOpening(true);
    const { error, notRemembered } = await useShell.getState().open({ profileId: profile.id, cols: current.term.cols, rows: current.term.rows, ...(unlock ? { unlock } : {}) });
    setOpening(false);
    if (notRemembered) useFeedback.getState().showNotice(notRememberedNotice(notRemembered));
    if (!error) return;
    const asked = sshQuestionFor(error, profile);
    if (asked) setQuestion(asked);
    else useFeedback.getState().showError(error);
  }

  const ended = session?.status === 'ended' ? session.exit : undefined;
  return (
    <section aria-label="Jump box shell">
      <div className="shell-bar">
        <span role="status" aria-label="Shell status">
          {shellId
            ? `Connected to ${profile.jumpHost.user}@${profile.jumpHost.host} over the profile's SSH connection.`
            : ended
              ? `The shell ended${ended.exitCode !== undefined ? ` (exit code ${ended.exitCode})` : ''}${ended.error ? `: ${ended.error.message}` : ''}. Tunnels are not affected.`
              : 'No shell open. Tunnels are not affected by opening or closing one.'}
        </span>
        {shellId ? (
          <button className="secondary" onClick={() => void useShell.getState().close(profile.id)}>
            Close shell
          </button>
        ) : (
          <button onClick={() => void open()} disabled={opening}>
            {ended ? 'Open a new shell' : 'Open shell'}
          </button>
        )}
      </div>
      <div ref={host} className="terminal-host" role="region" aria-label="Terminal" />
      {question ? (
        <SshQuestionDialog
          question={question}
          onClose={() => setQuestion(undefined)}
          onTrust={(error) => {
            setQuestion(undefined);
            void useHostKeys.getState().trustThen(error, () => open());
          }}
          onUnlock={(answer) => {
            setQuestion(undefined);
            void open(answer);
          }}
        />
      ) : null}
    </section>
  );
}
