/**
 * The names of every channel, without their schemas: the preload imports only
 * this (no zod in the page's bridge). `shared/contract.ts` maps each name to its
 * schemas and fails to compile if a name here has none, or the reverse.
 */
export const REQUEST_CHANNELS = [
  'app:info',
  'keys:pickFile',
  'keys:defaultIdentity',
  'settings:get',
  'settings:update',
  'profiles:list',
  'profiles:get',
  'profiles:save',
  'profiles:delete',
  'profiles:duplicate',
  'profiles:rename',
  'profiles:addTarget',
  'profiles:addTargets',
  'profiles:updateTarget',
  'profiles:removeTarget',
  'profiles:attachKey',
  'profiles:addRestoredCopyTarget',
  'profiles:export',
  'profiles:planImport',
  'profiles:applyImport',
  'profiles:importSshConfig',
  'team:planPublish',
  'team:publish',
  'team:discover',
  'team:fetch',
  'team:follow',
  'team:refresh',
  'team:status',
  'tunnels:snapshot',
  'tunnels:start',
  'tunnels:stop',
  'tunnels:retryNow',
  'tunnels:startProfile',
  'tunnels:stopProfile',
  'hostKeys:trust',
  'hostKeys:list',
  'hostKeys:forget',
  'hostKeys:probe',
  'hostKeys:trustPresented',
  'keychain:forgetPassphrase',
  'aws:whoami',
  'aws:listProfiles',
  'aws:listDatabases',
  'secrets:copyPassword',
  'secrets:revealPassword',
  'secrets:copyConnectionString',
  'secrets:revealConnectionString',
  'secrets:clearClipboard',
  'aws:checkAccess',
  'aws:allowMyIp',
  'aws:removeMyIp',
  'aws:listSnapshots',
  'aws:restoreSnapshot',
  'aws:listRestored',
  'aws:deleteRestored',
  'diagnostics:run',
  'diagnostics:testDraft',
  'keys:generate',
  'keys:inspect',
  'shell:open',
  'shell:input',
  'shell:resize',
  'shell:close',
  'audit:list',
] as const;

export const EVENT_CHANNELS = [
  'tunnels:state',
  'profiles:changed',
  'aws:restoreProgress',
  'secrets:clipboard',
  'shell:output',
  'shell:exit',
  'audit:entry',
  'settings:changed',
  'team:changed',
] as const;

export type RequestChannel = (typeof REQUEST_CHANNELS)[number];
export type EventChannel = (typeof EVENT_CHANNELS)[number];

export function isRequestChannel(value: unknown): value is RequestChannel {
  return typeof value === 'string' && (REQUEST_CHANNELS as readonly string[]).includes(value);
}

export function isEventChannel(value: unknown): value is EventChannel {
  return typeof value === 'string' && (EVENT_CHANNELS as readonly string[]).includes(value);
}
