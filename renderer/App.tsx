import { ClipboardBanner } from './components/ClipboardBanner';
import { ConnectDialogs } from './components/ConnectDialogs';
import { ErrorNote } from './components/ErrorNote';
import { AuditScreen } from './screens/AuditScreen';
import { ChecklistScreen } from './screens/ChecklistScreen';
import { SshConfigImport, TeamExport, TeamImport } from './screens/ImportExport';
import { TeamScreen } from './screens/TeamScreen';
import { KeysScreen } from './screens/KeysScreen';
import { ProfileEditor } from './screens/ProfileEditor';
import { ProfileSidebar } from './components/ProfileSidebar';
import { ProfileView } from './screens/ProfileView';
import type { Stores } from './stores/createStores';
import { StoresContext, useStores } from './storesContext';

export function App({ stores }: { stores: Stores }) {
  return (
    <StoresContext.Provider value={stores}>
      <Shell />
    </StoresContext.Provider>
  );
}

/** The window; greyed, with one banner, while the service cannot be reached: nothing live on it is true then. */
function Shell() {
  const status = useStores().useConnection((state) => state.status);
  const lost = status === 'disconnected';
  return (
    <div className={lost ? 'app disconnected' : 'app'}>
      <ProfileSidebar />
      <main>
        {lost ? (
          <div className="error connection-lost" role="alert" aria-label="Disconnected from Jumpgate">
            <strong>Disconnected from Jumpgate.</strong>
            <p>Tunnel states shown here are not current. Reconnecting by itself while `jumpgate serve` runs; if it was restarted, open the new URL it printed.</p>
          </div>
        ) : null}
        <Feedback />
        <MainView />
      </main>
      <ConnectDialogs />
    </div>
  );
}

function Feedback() {
  const { useProfiles, useFeedback } = useStores();
  const problem = useProfiles((state) => state.problem);
  const { error, notice } = useFeedback();
  return (
    <>
      {problem ? <ErrorNote error={problem} /> : null}
      {error ? <ErrorNote error={error} onDismiss={() => useFeedback.getState().clearError()} /> : null}
      {error?.code === 'PROFILES_CONFLICT' ? (
        <button type="button" onClick={() => void useProfiles.getState().reload().then(() => useFeedback.getState().clear())}>
          Reload profiles
        </button>
      ) : null}
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <ClipboardBanner />
    </>
  );
}

function MainView() {
  const { useNavigation, useProfiles } = useStores();
  const view = useNavigation((state) => state.view);
  const { profiles, selectedId } = useProfiles();
  switch (view.kind) {
    case 'new':
      return <ProfileEditor key="new" {...(view.from ? { start: view.from } : {})} />;
    case 'edit': {
      const existing = profiles.find((profile) => profile.id === view.profileId);
      return existing ? <ProfileEditor key={existing.id} existing={existing} /> : <p>That profile no longer exists.</p>;
    }
    case 'importSshConfig':
      return <SshConfigImport hosts={view.hosts} />;
    case 'teamImport':
      return <TeamImport />;
    case 'teamExport':
      return <TeamExport text={view.text} />;
    case 'keys':
      return <KeysScreen />;
    case 'checklist':
      return <ChecklistScreen />;
    case 'audit':
      return <AuditScreen />;
    case 'team':
      return <TeamScreen />;
    case 'profile': {
      const profile = profiles.find((entry) => entry.id === selectedId);
      if (profile) return <ProfileView profile={profile} />;
      return (
        <section className="empty">
          <h2>No profiles yet</h2>
          <p>A profile is one jump box and the databases behind it. Create one, or import your hosts from ~/.ssh/config or a team file.</p>
        </section>
      );
    }
  }
}
