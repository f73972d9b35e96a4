/**
 * The benchmark's slow link (issue #14) in a process of its own, like the source/sink, so its
 * work never shares an event loop with a tunnel being measured. The link itself is
 * e2e/rig/delayLink.ts (tests use it too).
 *
 *   delayRelay <one-way delay ms> <rate Mbit/s> <target port>...
 *
 * listens on one port per target and answers { type: 'listening', ports } over IPC.
 */
import { startDelayLink } from '../e2e/rig/delayLink';

const [delayArg, rateArg, ...targets] = process.argv.slice(2);
const oneWayDelayMs = Number(delayArg);
const rateMbit = Number(rateArg);
if (!(oneWayDelayMs >= 0) || !(rateMbit > 0) || targets.length === 0) throw new Error('usage: delayRelay <one-way delay ms> <rate Mbit/s> <target port>...');
void Promise.all(targets.map((port) => startDelayLink({ oneWayDelayMs, rateMbit, targetPort: Number(port) }))).then((links) =>
  process.send?.({ type: 'listening', ports: links.map((link) => link.port) }),
);
process.on('disconnect', () => process.exit(0));
