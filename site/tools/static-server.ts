// A small static file server for site/dist on 127.0.0.1 (tests and `npm run site:preview` alternatives):
// the browser tests need real HTTP for Pagefind's fetches and module scripts.
import { createReadStream } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname } from 'node:path';
import { DIST_DIR, fileFor } from './dist-files.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

export interface StaticSite {
  url: string;
  close(): Promise<void>;
}

export async function serveDist(dist = DIST_DIR): Promise<StaticSite> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const file = fileFor(path, dist);
    if (!file) {
      response.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      createReadStream(`${dist}/404.html`)
        .on('error', () => response.end('not found'))
        .pipe(response);
      return;
    }
    if (!path.endsWith('/') && file.endsWith('/index.html') && !path.endsWith('.html')) {
      response.writeHead(301, { location: `${path}/` });
      response.end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
