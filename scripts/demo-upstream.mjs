// A tiny backend for the demo: answers JSON on every path, and 200 on /health. 127.0.0.1 only.
import http from 'node:http';
const port = Number(process.argv[2]);
http
  .createServer((req, res) => {
    if (req.url?.startsWith('/health')) return void res.writeHead(200).end('ok');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ id: '1', name: 'Rex', servedPath: req.url }]));
  })
  .listen(port, '127.0.0.1');
