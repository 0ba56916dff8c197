// Drives the npm dcmjs-dimse client against a DICOM node, as a Node.js application would: C-ECHO,
// C-STORE of files (with user identity and an asynchronous operations window asked for), C-FIND of
// a study. Prints what it got back as JSON for the calling test to check.
// Usage: node dcmjs-dimse.mjs '{"host", "port", "calling", "called", "username", "password", "files": [...], "patientId"}'
import dimse from 'dcmjs-dimse';

const { Client } = dimse;
dimse.log?.setLevel?.('silent'); // the result alone on standard output
const { CEchoRequest, CStoreRequest, CFindRequest } = dimse.requests;

const config = JSON.parse(process.argv[2]);
const options = {
  asyncOps: { maxAsyncOpsInvoked: 4, maxAsyncOpsPerformed: 4 },
  userIdentity: config.username
    ? { type: 2, positiveResponseRequested: true, primaryField: config.username, secondaryField: config.password }
    : undefined,
};

// Sends the requests on one association; resolves when the association has closed.
function run(requests) {
  return new Promise((resolve, reject) => {
    const client = new Client();
    requests.forEach((r) => client.addRequest(r));
    client.on('networkError', (e) => reject(e));
    client.on('associationRejected', (e) => reject(new Error(`association rejected: ${JSON.stringify(e)}`)));
    client.on('closed', () => resolve());
    client.send(config.host, config.port, config.calling, config.called, options);
  });
}

const result = { echo: null, stores: [], matches: [] };
const echo = new CEchoRequest();
echo.on('response', (response) => { result.echo = response.getStatus(); });
const stores = config.files.map((file) => {
  const request = new CStoreRequest(file);
  request.on('response', (response) => result.stores.push(response.getStatus()));
  return request;
});
await run([echo, ...stores]);

const find = CFindRequest.createStudyFindRequest({ PatientID: config.patientId, StudyInstanceUID: '', NumberOfStudyRelatedInstances: '' });
find.on('response', (response) => {
  const dataset = response.getDataset();
  if (dataset) {
    result.matches.push({
      study: dataset.getElement('StudyInstanceUID'),
      instances: dataset.getElement('NumberOfStudyRelatedInstances'),
    });
  }
});
await run([find]);
console.log(JSON.stringify(result));
