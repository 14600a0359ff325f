// Drives utserver with npm's @ctrl/utorrent, as a Node app would; prints what it saw as JSON.
// usage: node ctrl_utorrent.mjs <module index.js> <base url> <password> <torrent file> <magnet>
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [modulePath, baseUrl, password, torrentPath, magnet] = process.argv.slice(2);
const { Utorrent } = await import(pathToFileURL(modulePath).href);
const client = new Utorrent({ baseUrl, password, timeout: 20000 });
const out = {};

out.version = (await client.getVersion()).version;
out.settingsCount = (await client.getSettings()).settings.length;
await client.setSetting([['max_ul_rate', 77]]);
out.maxUlRate = (await client.getSettings()).settings.find(s => s[0] === 'max_ul_rate')[2];

const added = await client.normalizedAddTorrent(new Uint8Array(readFileSync(torrentPath)), { label: 'ctrl' });
out.added = { id: added.id, name: added.name, label: added.label, savePath: added.savePath };
const fromMagnet = await client.normalizedAddTorrent(magnet);
out.magnet = { id: fromMagnet.id, name: fromMagnet.name };

await client.setProps(added.id, { s: 'ulrate', v: 4096 });
out.ulrate = (await client.request('getprops', new URLSearchParams({ hash: added.id })))._data.props[0].ulrate;
await client.queueTop(fromMagnet.id);
await client.queueBottom(fromMagnet.id);
await client.stopTorrent(added.id);
await client.pauseTorrent(fromMagnet.id);
const all = await client.getAllData();
out.listed = all.torrents.map(t => ({ id: t.id, state: t.state, queue: t.queuePosition, label: t.label }));
out.labels = all.labels;

await client.removeTorrent(fromMagnet.id, false);
await client.removeTorrent(added.id, true);
out.after = (await client.getAllData()).torrents.map(t => t.id);
console.log(JSON.stringify(out));
