import type { JumpgateBridge } from '../../shared/bridge';
import { createAccessStore } from './access';
import { createAppStore } from './app';
import { createAuditStore } from './audit';
import { createChecklistStore } from './checklist';
import { createConnectStore } from './connect';
import { createConnectionStore } from './connection';
import { createDoctorStore } from './doctor';
import { createEndpointsStore } from './endpoints';
import { createFeedbackStore } from './feedback';
import { createHostKeysStore } from './hostKeys';
import { createKeysStore } from './keys';
import { createNavigationStore } from './navigation';
import { createProfilesStore } from './profiles';
import { createRollbackStore } from './rollback';
import { createSecretsStore } from './secrets';
import { createSettingsStore } from './settings';
import { createThroughputStore } from './throughput';
import { applyTheme } from '../theme';
import { createShellStore } from './shell';
import { createTeamStore } from './team';
import { createTunnelsStore } from './tunnels';

/**
 * Every store of one window, built once from its bridge. A store that needs
 * another is handed it here, so the dependencies read top to bottom and cannot
 * loop: feedback and navigation need nothing; profiles, tunnels, the doctor and
 * host keys need the bridge (and feedback); connect needs those; rollback needs
 * connect. Each member is a zustand hook (`useX(selector)`) and a store
 * (`useX.getState()`).
 */
export function createStores(bridge: JumpgateBridge) {
  const useConnection = createConnectionStore(bridge);
  const useFeedback = createFeedbackStore();
  const useNavigation = createNavigationStore();
  const useApp = createAppStore(bridge);
  const useProfiles = createProfilesStore(bridge, useFeedback);
  const useTunnels = createTunnelsStore(bridge);
  const useDoctor = createDoctorStore(bridge);
  const useHostKeys = createHostKeysStore(bridge, useFeedback);
  const useConnect = createConnectStore(bridge, { profiles: useProfiles, doctor: useDoctor, hostKeys: useHostKeys, feedback: useFeedback });
  const useRollback = createRollbackStore(bridge, { profiles: useProfiles, connect: useConnect, feedback: useFeedback });
  return {
    useConnection,
    useFeedback,
    useNavigation,
    useApp,
    useProfiles,
    useTunnels,
    useDoctor,
    useHostKeys,
    useConnect,
    useRollback,
    useEndpoints: createEndpointsStore(bridge, { profiles: useProfiles, feedback: useFeedback }),
    useAccess: createAccessStore(bridge, useFeedback),
    useChecklist: createChecklistStore(bridge, useDoctor),
    useAudit: createAuditStore(bridge),
    useSecrets: createSecretsStore(bridge, useFeedback),
    useKeys: createKeysStore(bridge, useFeedback),
    useShell: createShellStore(bridge),
    useTeam: createTeamStore(bridge, useFeedback),
    useSettings: createSettingsStore(bridge, useFeedback),
    useThroughput: createThroughputStore(useTunnels),
  };
}

export type Stores = ReturnType<typeof createStores>;

/**
 * Follow the service's events and read the first snapshots, for the window's
 * life. Event subscriptions come first (each store buffers or orders by seq).
 */
export function startStores(stores: Stores): void {
  stores.useSecrets.getState().init();
  stores.useRollback.getState().init();
  stores.useAudit.getState().init();
  stores.useShell.getState().init();
  stores.useTeam.getState().init();
  void Promise.all([stores.useProfiles.getState().init(), stores.useTunnels.getState().init(), stores.useApp.getState().init(), stores.useSettings.getState().init()]);
  stores.useSettings.subscribe((state, before) => {
    if (state.settings && state.settings.theme !== before.settings?.theme) applyTheme(state.settings.theme);
  });
  const putErrorsAway = (): void => {
    stores.useFeedback.getState().clearError();
    stores.useConnect.getState().clearErrors();
  };
  // An error belongs to where it happened: moving to another screen or profile puts it away
  // (a notice such as "Saved X." stays: it is usually shown just as the screen changes).
  stores.useNavigation.subscribe((state, before) => {
    if (state.view !== before.view) putErrorsAway();
  });
  stores.useProfiles.subscribe((state, before) => {
    if (state.selectedId !== before.selectedId) putErrorsAway();
  });
  // Back after the service was lost: nothing held is current, so take every snapshot again.
  stores.useConnection.getState().onReconnect(() => {
    void Promise.all([stores.useProfiles.getState().resync(), stores.useTunnels.getState().resync(), stores.useApp.getState().init(), stores.useSettings.getState().resync()]);
  });
}
