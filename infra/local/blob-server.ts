import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { LocalBlobStorage } from '../../shared/blobs/local.ts';

/**
 * S3's part in the local runtime: serves the links LocalBlobStorage signs, `PUT` to upload an
 * import and `GET` to download an export or an error report. The link is the permission.
 */
export function createBlobServer(blobs: LocalBlobStorage): Server {
  return createServer((req, res) => {
    const fail = (status: number, message: string) => {
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${message}\n`);
    };
    const url = new URL(req.url ?? '/', 'http://local');
    const grant = blobs.verify(url);
    if (!grant) return fail(403, 'This link is not valid or has expired.');
    if (req.method !== grant.method) return fail(405, `This link allows ${grant.method} only.`);
    const path = blobs.pathOf(grant.key);
    if (grant.method === 'GET') {
      stat(path).then(
        (info) => {
          res.writeHead(200, {
            'content-type': grant.contentType ?? 'application/octet-stream',
            'content-length': info.size,
            ...(grant.fileName ? { 'content-disposition': `attachment; filename="${grant.fileName}"` } : {}),
          });
          createReadStream(path).pipe(res);
        },
        () => fail(404, 'There is no such file.'),
      );
      return;
    }
    let received = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        if (grant.maxBytes !== undefined && received > grant.maxBytes) done(new Error('too large'));
        else done(null, chunk);
      },
    });
    const partial = `${path}.upload`;
    mkdir(dirname(path), { recursive: true })
      .then(() => pipeline(req, limit, createWriteStream(partial)))
      .then(() => rename(partial, path))
      .then(
        () => {
          res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('Uploaded.\n');
        },
        async (error: Error) => {
          await rm(partial, { force: true });
          if (error.message === 'too large') fail(413, `The file is larger than ${grant.maxBytes} bytes.`);
          else fail(400, 'The upload did not complete.');
        },
      );
  });
}
