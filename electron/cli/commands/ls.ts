import { formatHopAddress } from '../../../shared/model/jumpHost';
import type { CliSession } from '../session';
import { unwrap } from '../session';

/** `jumpgate ls`: profiles and their targets with local ports; `--json` is stable for scripts. */
export async function ls(session: CliSession, options: { json?: boolean }): Promise<void> {
  // A damaged file's warning is printed for every command, ls included, by main.ts.
  const { profiles } = unwrap(await session.invoke('profiles:list', {}));
  if (options.json) {
    const rows = profiles.map((profile) => ({
      id: profile.id,
      name: profile.name,
      jumpHost: formatHopAddress(profile.jumpHost),
      region: profile.aws.region,
      targets: profile.targets.map((target) => ({
        id: target.id,
        name: target.name,
        engine: target.engine,
        localPort: target.localPort,
        remote: target.remote.kind === 'host' ? `${target.remote.host}:${target.remote.port}` : `rds:${target.remote.identifier}`,
      })),
    }));
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  if (profiles.length === 0) {
    process.stdout.write('No profiles yet. Create one with jumpgate profile add (or in the app).\n');
    return;
  }
  for (const profile of profiles) {
    process.stdout.write(`${profile.id}  ${profile.name}  (${formatHopAddress(profile.jumpHost)}, ${profile.aws.region})\n`);
    for (const target of profile.targets) {
      const remote = target.remote.kind === 'host' ? `${target.remote.host}:${target.remote.port}` : `rds:${target.remote.identifier}`;
      process.stdout.write(`  ${target.id.padEnd(16)} 127.0.0.1:${String(target.localPort).padEnd(6)} -> ${remote} (${target.engine})\n`);
    }
  }
}
