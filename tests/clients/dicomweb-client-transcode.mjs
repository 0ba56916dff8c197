// Drives the npm dicomweb-client against stored compressed instances with its DEFAULT media types (frames as
// multipart/related; type="application/octet-stream", instances as type="application/dicom", rendered resources with
// no Accept at all), and writes what it got into a folder for the calling test to check.
// Usage: node dicomweb-client-transcode.mjs '{"url": ..., "username": ..., "password": ..., "out": DIR, "instances": [{"study", "series", "sop", "frames": [1, 2]}]}'
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import XMLHttpRequest from 'xhr2';
import dicomweb from 'dicomweb-client';

globalThis.XMLHttpRequest = XMLHttpRequest;

const config = JSON.parse(process.argv[2]);
const client = new dicomweb.api.DICOMwebClient({
  url: config.url,
  headers: { Authorization: 'Basic ' + Buffer.from(`${config.username}:${config.password}`).toString('base64') },
});
// Single-part answers come back as an array of one ArrayBuffer, multipart ones as an array of parts.
const save = (name, data) => writeFileSync(join(config.out, name), Buffer.from(Array.isArray(data) ? data[0] : data));

const result = {};
for (const instance of config.instances) {
  const ids = { studyInstanceUID: instance.study, seriesInstanceUID: instance.series, sopInstanceUID: instance.sop };
  const frames = await client.retrieveInstanceFrames({ ...ids, frameNumbers: instance.frames });
  frames.forEach((frame, i) => save(`${instance.sop}.frame${instance.frames[i]}.raw`, frame));
  save(`${instance.sop}.dcm`, await client.retrieveInstance(ids));
  save(`${instance.sop}.rendered`, await client.retrieveInstanceRendered(ids));
  save(`${instance.sop}.thumbnail`, await client.retrieveInstanceThumbnail(ids));
  // retrieveInstanceFramesRendered asks for text when given neither media types nor parameters (dicomweb-client 0.11.3): image/jpeg is named.
  save(`${instance.sop}.frame-rendered`, await client.retrieveInstanceFramesRendered({
    ...ids, frameNumbers: [instance.frames[0]], mediaTypes: [{ mediaType: 'image/jpeg' }],
  }));
  save(`${instance.sop}.viewport.png`, await client.retrieveInstanceRendered({
    ...ids, mediaTypes: [{ mediaType: 'image/png' }], queryParams: { viewport: '64,64', window: '40,400' },
  }));
  result[instance.sop] = frames.length;
}
console.log(JSON.stringify(result));
