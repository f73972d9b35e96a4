import type { Profile } from '../../shared/model/profile';

/** PLACEHOLDER while the Shell screen is being built (issue #6); replaced before it lands. */
export function ShellScreen({ profile }: { profile: Profile }) {
  return <p>Shell for {profile.name}</p>;
}
