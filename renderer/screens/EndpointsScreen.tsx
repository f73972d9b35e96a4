import type { Profile } from '../../shared/model/profile';

/** PLACEHOLDER while the Endpoints screen is being built (issue #6); replaced before it lands. */
export function EndpointsScreen({ profile }: { profile: Profile }) {
  return <p>Endpoints for {profile.name}</p>;
}
