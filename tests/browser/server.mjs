// A tiny static file server for the browser tests: the built public folder at
// `/`, the handout folder at `/handouts/`, on 127.0.0.1 and a random port.
// A missing file gets `404.html` with status 404, as a static host would send.

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
  '.vcf': 'text/vcard; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** The file a URL path names inside `root`, or null when it would leave `root`. */
function inside(root, urlPath) {
  const file = path.resolve(root, '.' + path.posix.normalize('/' + urlPath));
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

async function fileFor(root, urlPath) {
  let file = inside(root, urlPath);
  if (!file) return null;
  try {
    const s = await stat(file);
    if (s.isDirectory()) file = path.join(file, 'index.html');
    return (await stat(file)).isFile() ? file : null;
  } catch {
    return null;
  }
}

/**
 * Starts the server; resolves to `{ origin, close, requests }` where
 * `requests` lists every `[status, path]` served, for debugging.
 */
export async function serve({ publicDir, handoutDir }) {
  publicDir = path.resolve(publicDir);
  handoutDir = handoutDir && path.resolve(handoutDir);
  const requests = [];
  const server = createServer(async (req, res) => {
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    let file = null;
    if (handoutDir && (urlPath === '/handouts' || urlPath.startsWith('/handouts/'))) {
      file = await fileFor(handoutDir, urlPath.slice('/handouts'.length) || '/');
    } else {
      file = await fileFor(publicDir, urlPath);
    }
    let status = 200;
    if (!file) {
      status = 404;
      file = path.join(publicDir, '404.html');
    }
    requests.push([status, urlPath]);
    try {
      const body = await readFile(file);
      res.writeHead(status, {
        'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
