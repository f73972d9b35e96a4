import { describe, expect, it } from 'vitest';
import type { Profile } from '../shared/model/profile';
import { sshQuestionFor, unlockFor } from './sshQuestions';

const profile: Pick<Profile, 'jumpHost'> = {
  jumpHost: {
    host: 'inner.example.com',
    port: 22,
    user: 'ec2-user',
    auth: { kind: 'key', keyPath: '/keys/inner.ppk' },
    via: [{ host: 'outer.example.com', port: 22, user: 'ops', auth: { kind: 'key', keyPath: '/keys/outer' } }],
  },
};

describe('the passphrase question (issue #17: a key per ProxyJump hop)', () => {
  it('names the key the error names, and addresses the answer to it', () => {
    const question = sshQuestionFor({ code: 'PASSPHRASE_REQUIRED', message: '/keys/outer is protected by a passphrase.', details: { keyPath: '/keys/outer' } }, profile);
    expect(question).toEqual({ kind: 'passphrase', keyPath: '/keys/outer', wrong: false, answersFor: '/keys/outer' });
    if (question?.kind !== 'passphrase') throw new Error('not a passphrase question');
    expect(unlockFor(question, 'secret', true)).toEqual({ passphrase: 'secret', remember: true, keyPath: '/keys/outer' });
  });

  it('says which key refused a wrong passphrase', () => {
    const question = sshQuestionFor({ code: 'BAD_PASSPHRASE', message: 'The passphrase does not unlock /keys/outer.', details: { keyPath: '/keys/outer' } }, profile);
    expect(question).toMatchObject({ kind: 'passphrase', keyPath: '/keys/outer', wrong: true });
  });

  it("falls back to the jump host's key when the error names none, answering without a key path", () => {
    const question = sshQuestionFor({ code: 'PASSPHRASE_REQUIRED', message: 'This key is protected by a passphrase.' }, profile);
    expect(question).toEqual({ kind: 'passphrase', keyPath: '/keys/inner.ppk', wrong: false });
    if (question?.kind !== 'passphrase') throw new Error('not a passphrase question');
    expect(unlockFor(question, 'secret', false)).toEqual({ passphrase: 'secret', remember: false });
  });
});
