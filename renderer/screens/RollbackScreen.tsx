import type { Profile } from '../../shared/model/profile';

/** PLACEHOLDER while the Rollback screen is being built (issue #6); replaced before it lands. */
export function RollbackScreen({ profile }: { profile: Profile }) {
  return <p>Rollback for {profile.name}</p>;
}
