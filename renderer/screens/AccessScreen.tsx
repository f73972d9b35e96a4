import type { Profile } from '../../shared/model/profile';

/** PLACEHOLDER while the Access screen is being built (issue #6); replaced before it lands. */
export function AccessScreen({ profile }: { profile: Profile }) {
  return <p>Access for {profile.name}</p>;
}
