// metav1.LabelSelector matching, once for the whole project: the embedded
// cluster's controllers (Deployment → Pods), its validation (a Deployment's
// selector must match its template) and the gateway's translation
// (allowedRoutes.namespaces.selector). Reads untrusted objects, so it takes
// `unknown` and never throws. An empty selector matches everything; an
// operator Kubernetes does not know selects nothing (the API server refuses
// such a selector where it validates it, and a controller turning one into a
// labels.Selector gets an error and matches nothing).

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

const record = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const array = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export function selectorMatches(rawSelector: LabelSelector | unknown, rawLabels: Record<string, string> | unknown): boolean {
  const selector = record(rawSelector);
  const labels = record(rawLabels);
  for (const [key, value] of Object.entries(record(selector.matchLabels))) {
    if (labels[key] !== value) return false;
  }
  for (const rawExpression of array(selector.matchExpressions)) {
    const expression = record(rawExpression);
    const key = typeof expression.key === 'string' ? expression.key : '';
    const values = array(expression.values).filter((v): v is string => typeof v === 'string');
    const present = Object.hasOwn(labels, key);
    const inValues = present && values.includes(labels[key] as string);
    switch (expression.operator) {
      case 'In':
        if (!inValues) return false;
        break;
      case 'NotIn':
        if (inValues) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
