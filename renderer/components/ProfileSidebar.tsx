import { aggregateStatus } from '../../shared/model/aggregate';
import { useStores } from '../storesContext';
import { ThemePicker } from './ThemePicker';
import { pendingQuestionOf, summaryState } from '../stores/connect';

const TOOLS = [
  ['checklist', 'New starter checklist'],
  ['team', 'Team profiles'],
  ['keys', 'Keys'],
  ['audit', 'Audit log'],
] as const;

/** Saved profiles with their aggregate status dot, the ways to add more, and the tools that are not about one profile. */
export function ProfileSidebar() {
  const { useProfiles, useTunnels, useConnect, useNavigation, useAudit } = useStores();
  const { profiles, selectedId, select, readSshConfig, exportTeamFile } = useProfiles();
  const tunnels = useTunnels((state) => state.byId);
  const dialog = useConnect((state) => state.dialog);
  const { view, go } = useNavigation();

  return (
    <nav aria-label="Profiles">
      <h1>Jumpgate</h1>
      <ul>
        {profiles.map((entry) => {
          const status = aggregateStatus(
            entry.targets.map((target) => {
              const state = tunnels[`${entry.id}/${target.id}`]?.state ?? { status: 'idle' as const };
              return summaryState(state, pendingQuestionOf(dialog, entry.id, target.id, state));
            }),
          );
          return (
            <li key={entry.id}>
              <button
                aria-current={entry.id === selectedId && view.kind === 'profile' ? 'page' : undefined}
                onClick={() => {
                  select(entry.id);
                  go({ kind: 'profile', ...(view.kind === 'profile' && view.tab ? { tab: view.tab } : {}) });
                }}
              >
                <span className={`dot dot-${status}`} aria-label={`status ${status}`} />
                {entry.name}
              </button>
            </li>
          );
        })}
      </ul>
      <div className="sidebar-actions">
        <button onClick={() => go({ kind: 'new' })}>New profile</button>
        <button
          className="secondary"
          onClick={() =>
            void readSshConfig().then((hosts) => {
              if (hosts) go({ kind: 'importSshConfig', hosts });
            })
          }
        >
          Import from SSH config
        </button>
        <button className="secondary" onClick={() => go({ kind: 'teamImport' })}>
          Import team file
        </button>
        <button
          className="secondary"
          disabled={profiles.length === 0}
          onClick={() =>
            void exportTeamFile().then((text) => {
              if (text !== undefined) go({ kind: 'teamExport', text });
            })
          }
        >
          Export team file
        </button>
      </div>
      <h2 className="sidebar-heading" id="tools-heading">
        Tools
      </h2>
      <ul aria-labelledby="tools-heading">
        {TOOLS.map(([kind, label]) => (
          <li key={kind}>
            <button
              aria-current={view.kind === kind ? 'page' : undefined}
              onClick={() => {
                go({ kind });
                // The audit log is read when the user opens it; audit:entry events keep it live from then on.
                if (kind === 'audit') void useAudit.getState().load();
              }}
            >
              {label}
            </button>
          </li>
        ))}
      </ul>
      <ThemePicker />
    </nav>
  );
}
