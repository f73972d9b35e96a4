import { create } from 'zustand';
import type { ResponseOf } from '../../shared/contract';
import type { Profile } from '../../shared/model/profile';

/** The tabs of a profile: its targets and the screens that work on its jump box and AWS account. */
export const PROFILE_TABS = ['targets', 'endpoints', 'access', 'rollback', 'doctor', 'shell'] as const;
export type ProfileTab = (typeof PROFILE_TABS)[number];

/** What the main pane shows. The selected profile lives in the profiles store. */
export type View =
  | { kind: 'profile'; tab?: ProfileTab }
  /** Tools that are not about one profile. */
  | { kind: 'keys' }
  | { kind: 'checklist' }
  | { kind: 'audit' }
  /** Team profiles published in AWS: follow, preview a version's changes, the sources followed (issue #16). */
  | { kind: 'team' }
  /** A new profile, optionally started from an ~/.ssh/config host or a copy. */
  | { kind: 'new'; from?: Partial<Profile> }
  | { kind: 'edit'; profileId: string }
  /** The hosts read from ~/.ssh/config when the user asked for them. */
  | { kind: 'importSshConfig'; hosts: ResponseOf<'profiles:importSshConfig'> }
  | { kind: 'teamImport' }
  | { kind: 'teamExport'; text: string };

export interface NavigationState {
  view: View;
  go(view: View): void;
}

export function createNavigationStore() {
  return create<NavigationState>()((set) => ({
    view: { kind: 'profile' },
    go: (view) => set({ view }),
  }));
}
