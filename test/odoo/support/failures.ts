/** The failure a transport raises on a recorded error answer, read by that protocol's reader. */
import {
  isOdooFailureError,
  readJson2Answer,
  readJsonRpcAnswer,
  readXmlRpcAnswer,
  type OdooFailure,
} from '../../../src/connectors/odoo/index.ts';
import { answerOf, isXmlRpcFixture, requestIdOf, type Fixture } from './fixtures.ts';

export function failureOf(fixture: Fixture): OdooFailure {
  const answer = answerOf(fixture);
  try {
    if (isXmlRpcFixture(fixture)) readXmlRpcAnswer(answer);
    else if (fixture.request.path.startsWith('/json/2')) readJson2Answer(answer);
    else readJsonRpcAnswer(answer, requestIdOf(fixture));
  } catch (error) {
    if (isOdooFailureError(error)) return error.failure;
    throw error;
  }
  throw new Error(`${fixture.name}: the reader accepted an error answer`);
}
