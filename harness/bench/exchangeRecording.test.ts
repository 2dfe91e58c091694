import { ENROLLED } from '../model-testing/onward';
import { recordExchanges } from './exchangeRecording';

/** One fleet device recorded against the real backend through the recording proxy. */
describe('recordExchanges', () => {
  test("the device's requests in order, the backend's reply to each kind, the state report unanswered", async () => {
    const { plan, requests, replies } = await recordExchanges();
    expect(plan).toMatchObject({ tokenType: 'deviceStaging', enrollmentMode: 'corporateOwnedFullyManaged' });
    expect(
      requests.filter((request) => request.type !== 'stateReport').map((request) => request.type),
    ).toEqual(['hello', 'redeemToken', 'completeStage', 'signIn', 'completeStage']);
    // Where the device ended up is the last thing it tells the console.
    expect(requests.at(-1)).toMatchObject({ type: 'stateReport', state: ENROLLED });
    expect(Object.fromEntries(Object.entries(replies).map(([kind, reply]) => [kind, reply.type]))).toEqual({
      hello: 'helloAck',
      redeemToken: 'tokenAccepted',
      'completeStage:staged': 'stageRecorded',
      signIn: 'signInAccepted',
      'completeStage:enrolled': 'stageRecorded',
    });
    expect(replies['completeStage:staged']).toMatchObject({ record: { stage: 'staged' } });
    expect(replies['completeStage:enrolled']).toMatchObject({ record: { stage: 'enrolled' } });
    // Each reply is the one to its own request: the ids the device chose.
    const ids = requests.flatMap((request) => ('requestId' in request ? [request.requestId] : []));
    expect(Object.values(replies).map((reply) => reply.requestId)).toEqual(ids);
    // The backend it was recorded against is closed.
    await expect(fetch(plan.url)).rejects.toThrow();
  });
});
