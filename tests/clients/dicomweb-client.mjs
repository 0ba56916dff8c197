// Drives the npm dicomweb-client against a DICOMweb service, as a browser viewer would, and prints
// what it got back as JSON for the calling test to check.
// Usage: node dicomweb-client.mjs '{"url": ..., "username": ..., "password": ..., "files": [...], "frames": {...}}'
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import XMLHttpRequest from 'xhr2';
import dicomweb from 'dicomweb-client';

globalThis.XMLHttpRequest = XMLHttpRequest;

const config = JSON.parse(process.argv[2]);
const client = new dicomweb.api.DICOMwebClient({
  url: config.url,
  headers: { Authorization: 'Basic ' + Buffer.from(`${config.username}:${config.password}`).toString('base64') },
});
const value = (dataset, tag) => dataset[tag]?.Value?.[0];
const sha256 = (buffer) => createHash('sha256').update(Buffer.from(buffer)).digest('hex');
const toArrayBuffer = (bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);

const result = {};
const stored = await client.storeInstances({ datasets: config.files.map((f) => toArrayBuffer(readFileSync(f))) });
const storeAnswer = JSON.parse(typeof stored === 'string' ? stored : Buffer.from(stored).toString());
result.stored = storeAnswer['00081199']?.Value?.length ?? 0;

const studies = await client.searchForStudies({ queryParams: config.studyQuery });
result.studies = studies.map((s) => value(s, '0020000D'));
const study = config.study;
const series = await client.searchForSeries({ studyInstanceUID: study });
result.series = series.map((s) => value(s, '0020000E'));
const instances = await client.searchForInstances({ studyInstanceUID: study, seriesInstanceUID: config.series });
result.instances = instances.map((i) => value(i, '00080018'));

const metadata = await client.retrieveStudyMetadata({ studyInstanceUID: study });
result.metadata = metadata.length;
const native = metadata.find((m) => value(m, '00080018') === config.native.sop);
result.bulkDataUri = native['7FE00010'].BulkDataURI;
const [bulk] = await client.retrieveBulkData({ BulkDataURI: result.bulkDataUri });
result.bulkSha256 = sha256(bulk);

const instance = await client.retrieveInstance({ studyInstanceUID: study, seriesInstanceUID: config.series, sopInstanceUID: config.native.sop });
result.instanceSha256 = sha256(instance);
const frames = await client.retrieveInstanceFrames({
  studyInstanceUID: study, seriesInstanceUID: config.series, sopInstanceUID: config.native.sop, frameNumbers: [2],
});
result.frameSha256 = sha256(frames[0]);
if (config.jpeg) {
  const jpeg = await client.retrieveInstanceFrames({
    studyInstanceUID: config.jpeg.study, seriesInstanceUID: config.jpeg.series, sopInstanceUID: config.jpeg.sop, frameNumbers: [1],
    mediaTypes: [{ mediaType: 'image/jpeg', transferSyntaxUID: '1.2.840.10008.1.2.4.70' }],
  });
  result.jpegFrameStart = Buffer.from(jpeg[0]).subarray(0, 2).toString('hex');
}
console.log(JSON.stringify(result));
