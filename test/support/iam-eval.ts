/**
 * A small evaluator of IAM identity policies as they appear in a synthesized template: does any Allow
 * statement of these documents permit `action` on `resource` for a request with this condition context?
 * It implements what our policies use (actions with `*`, resources compared as template values,
 * StringLike/StringEquals with the ForAllValues/ForAnyValue set operators) and throws on any condition
 * operator it does not know, so a policy it cannot judge never passes silently.
 */
export interface IamRequest {
  readonly action: string;
  /** The resource as the template writes it (e.g. `{ 'Fn::GetAtt': [id, 'Arn'] }`). */
  readonly resource: unknown;
  /** Condition context: key → values (multi-valued keys such as dynamodb:LeadingKeys). */
  readonly context: Record<string, readonly string[]>;
}

interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  readonly Statement: Statement[];
}

/** IAM's wildcard match: `*` any run of characters, `?` one character; case-sensitive. */
export function iamLike(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  );
  return regex.test(value);
}

function actionMatches(statement: Statement, action: string): boolean {
  if (statement.Action === undefined) throw new Error('iam-eval: NotAction is not implemented');
  const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
  return actions.some((a) => iamLike(a.toLowerCase(), action.toLowerCase()));
}

/**
 * `*` or the very same template value: applies. A reference to another resource (Ref, Fn::GetAtt) or a
 * literal ARN without wildcards: does not. Anything else (a pattern, a Fn::Join that may name the
 * same table): cannot be judged here, so it throws rather than answer "denied".
 */
function resourceMatches(statement: Statement, resource: unknown): boolean {
  if (statement.Resource === undefined) throw new Error('iam-eval: NotResource is not implemented');
  const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
  return resources.some((r) => {
    if (r === '*' || JSON.stringify(r) === JSON.stringify(resource)) return true;
    if (typeof r === 'string' && !/[*?]/.test(r)) return false;
    if (typeof r === 'object' && r !== null && ('Ref' in r || 'Fn::GetAtt' in r)) return false;
    throw new Error(`iam-eval: cannot judge whether ${JSON.stringify(r)} covers ${JSON.stringify(resource)}`);
  });
}

function conditionHolds(
  operator: string,
  key: string,
  expected: string[],
  context: IamRequest['context'],
): boolean {
  const [setOperator, base] = operator.includes(':') ? operator.split(':') : [undefined, operator];
  const compare: Record<string, (pattern: string, value: string) => boolean> = {
    StringLike: iamLike,
    StringEquals: (a, b) => a === b,
  };
  const test = compare[base];
  if (!test) throw new Error(`iam-eval: condition operator ${operator} is not implemented`);
  // Condition keys are case-insensitive.
  const values = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
  const matchesOne = (value: string) => expected.some((pattern) => test(pattern, value));
  if (setOperator === 'ForAllValues') return (values ?? []).every(matchesOne);
  if (setOperator === 'ForAnyValue') return (values ?? []).some(matchesOne);
  if (setOperator !== undefined) throw new Error(`iam-eval: set operator ${setOperator} is not implemented`);
  if (values === undefined || values.length !== 1) return false;
  return matchesOne(values[0]);
}

function statementApplies(statement: Statement, request: IamRequest): boolean {
  if (!actionMatches(statement, request.action) || !resourceMatches(statement, request.resource))
    return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) =>
      conditionHolds(operator, key, Array.isArray(expected) ? expected : [expected], request.context),
    ),
  );
}

/** Allowed: some Allow statement applies and no Deny statement does. */
export function isAllowed(documents: readonly PolicyDocument[], request: IamRequest): boolean {
  const statements = documents.flatMap((d) => d.Statement);
  if (statements.some((s) => s.Effect === 'Deny' && statementApplies(s, request))) return false;
  return statements.some((s) => s.Effect === 'Allow' && statementApplies(s, request));
}
