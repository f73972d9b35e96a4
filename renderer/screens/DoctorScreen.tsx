import type { Profile } from '../../shared/model/profile';

/** PLACEHOLDER while the Doctor screen is being built (issue #6); replaced before it lands. */
export function DoctorScreen({ profile }: { profile: Profile }) {
  return <p>Doctor for {profile.name}</p>;
}
