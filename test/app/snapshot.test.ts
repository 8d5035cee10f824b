import { Template } from 'aws-cdk-lib/assertions';
import { exampleStack } from './support';

/** Asset hashes change with every Lambda build; everything else in the template must not drift unnoticed. */
function masked(template: object): unknown {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}/g, '[ASSET-HASH]'));
}

describe('example stack', () => {
  it('matches the snapshot (asset hashes masked)', () => {
    const { stack } = exampleStack();
    const json = Template.fromStack(stack).toJSON();
    expect(JSON.stringify(masked(json))).not.toMatch(/[0-9a-f]{64}/);
    expect(masked(json)).toMatchSnapshot();
  });
});
