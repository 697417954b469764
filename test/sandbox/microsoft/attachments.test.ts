import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GraphError } from '@microsoft/microsoft-graph-client';
import { graphClient, microsoftSandbox, signIn } from './helpers.ts';

const sandbox = await microsoftSandbox({ https: true });
await sandbox.control.post('/microsoft/users', { email: 'rex@acme.example', name: 'Rex Recruiter' });
const { access_token: token } = await signIn(sandbox, 'rex@acme.example');
const graph = graphClient(sandbox, token);
const content = Buffer.alloc(5000, 7);
const delivered = await sandbox.control.post<{ id: string }>(
  '/microsoft/mailboxes/rex@acme.example/deliver',
  {
    from: { address: 'ann@candidate.example' },
    to: [{ address: 'rex@acme.example' }],
    subject: 'CV',
    text: 'attached',
    attachments: [
      { filename: 'cv.pdf', contentType: 'application/pdf', contentBase64: content.toString('base64') },
    ],
  },
);

describe('Graph attachments and message size', () => {
  test('lists a message’s attachments, described, with $select', async () => {
    const listed = await graph
      .api(`/me/messages/${delivered.id}/attachments`)
      .select('name,contentType,size,isInline')
      .get();
    assert.equal(listed.value.length, 1);
    const [entry] = listed.value;
    assert.equal(entry['@odata.type'], '#microsoft.graph.fileAttachment');
    assert.equal(entry.name, 'cv.pdf');
    assert.equal(entry.contentType, 'application/pdf');
    assert.equal(entry.size, content.length);
    assert.equal(entry.isInline, false);
    assert.equal(entry.contentBytes, undefined, 'a listing never carries the bytes');
    await assert.rejects(
      graph.api(`/me/messages/${delivered.id}/attachments`).select('nope').get(),
      (error: GraphError) => error.statusCode === 400,
    );
  });

  test('tells the message size through PidTagMessageSize, and nothing for another property', async () => {
    const sized = await graph
      .api(`/me/messages/${delivered.id}`)
      .select('id')
      .expand("singleValueExtendedProperties($filter=id eq 'Integer 0x0E08')")
      .get();
    const [property] = sized.singleValueExtendedProperties;
    assert.equal(property.id, 'Integer 0xe08');
    assert.ok(Number(property.value) > content.length);
    const other = await graph
      .api(`/me/messages/${delivered.id}`)
      .select('id')
      .expand("singleValueExtendedProperties($filter=id eq 'String 0x007D')")
      .get();
    assert.deepEqual(other.singleValueExtendedProperties, []);
  });

  test('a fault can target one message', async () => {
    await sandbox.control.post('/faults', {
      provider: 'microsoft',
      endpoint: 'graph.messages.get',
      messageId: delivered.id,
      status: 400,
    });
    try {
      await assert.rejects(
        graph.api(`/me/messages/${delivered.id}`).get(),
        (error: GraphError) => error.statusCode === 400,
      );
      const other = await sandbox.control.post<{ id: string }>(
        '/microsoft/mailboxes/rex@acme.example/deliver',
        {
          from: { address: 'ann@candidate.example' },
          to: [{ address: 'rex@acme.example' }],
          subject: 'Other',
          text: 'x',
        },
      );
      assert.equal((await graph.api(`/me/messages/${other.id}`).get()).subject, 'Other');
    } finally {
      await sandbox.control.del('/faults');
    }
  });
});
