import { create } from 'zustand';
import type { ResponseOf } from '../../shared/contract';
import type { Profile } from '../../shared/model/profile';

/** What the main pane shows. The selected profile lives in the profiles store. */
export type View =
  | { kind: 'profile' }
  /** A new profile, optionally started from an ~/.ssh/config host or a copy. */
  | { kind: 'new'; from?: Partial<Profile> }
  | { kind: 'edit'; profileId: string }
  /** The hosts read from ~/.ssh/config when the user asked for them. */
  | { kind: 'importSshConfig'; hosts: ResponseOf<'profiles:importSshConfig'> }
  | { kind: 'teamImport' }
  | { kind: 'teamExport'; text: string };

interface NavigationState {
  view: View;
  go(view: View): void;
}

export const useNavigation = create<NavigationState>((set) => ({
  view: { kind: 'profile' },
  go: (view) => set({ view }),
}));
