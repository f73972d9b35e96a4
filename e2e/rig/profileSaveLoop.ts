/**
 * A child process that saves the profiles file in a tight loop and reports each
 * save on stdout, for the test that kills it with SIGKILL mid-write.
 * usage: node --import tsx profileSaveLoop.ts <profiles.json>
 */
import { ProfileStore } from '../../electron/core/profiles/profileStore';

const path = process.argv[2];
if (!path) throw new Error('usage: profileSaveLoop <profiles.json>');
const store = new ProfileStore({ path });
await store.load();
const base = store.list()[0];
if (!base) throw new Error('no profile to save');
for (let round = 1; ; round++) {
  // Vary the size so torn writes would be visible as truncated JSON.
  await store.upsert({ ...base, name: `round ${round} ${'x'.repeat(round % 97)}` });
  process.stdout.write(`saved ${round}\n`);
}
