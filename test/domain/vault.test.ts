import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVault, VaultError } from '../../src/domain/vault.ts';

const key = (fill: number) => Buffer.alloc(32, fill);

describe('R7: the token vault', () => {
  const vault = createVault([
    { id: 'k2', key: key(2) },
    { id: 'k1', key: key(1) },
  ]);

  it('seals under the first key and opens what it sealed; the ciphertext shows no token text', () => {
    const sealed = vault.seal('ya29.secret-token', 'connection:c1:access_token');
    assert.match(sealed, /^v1\.k2\./);
    assert.equal(sealed.includes('secret'), false);
    assert.equal(vault.open(sealed, 'connection:c1:access_token'), 'ya29.secret-token');
    assert.notEqual(vault.seal('same', 'x'), vault.seal('same', 'x'), 'every seal uses a fresh IV');
  });

  it('opens values sealed under an older key that is still configured', () => {
    const old = createVault([{ id: 'k1', key: key(1) }]).seal('rt', 'ctx');
    assert.equal(vault.keyIdOf(old), 'k1');
    assert.equal(vault.open(old, 'ctx'), 'rt');
  });

  it('refuses a value moved to another place, tampered with, or sealed under an unknown key', () => {
    const sealed = vault.seal('rt', 'connection:a:refresh_token');
    assert.throws(() => vault.open(sealed, 'connection:b:refresh_token'), VaultError);
    const at = sealed.length - 2;
    const tampered = `${sealed.slice(0, at)}${sealed[at] === 'A' ? 'B' : 'A'}${sealed.slice(at + 1)}`;
    assert.throws(() => vault.open(tampered, 'connection:a:refresh_token'), VaultError);
    const foreign = createVault([{ id: 'k9', key: key(9) }]).seal('rt', 'ctx');
    assert.throws(() => vault.open(foreign, 'ctx'), /key "k9", which is not configured/);
    assert.throws(() => vault.open('plain text', 'ctx'), /not a sealed value/);
  });
});
