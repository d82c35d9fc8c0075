// metav1.LabelSelector matching (matchLabels and matchExpressions).
import { asArray, asRecord, asString } from './fields.js';

export function selectorMatches(rawSelector: unknown, labels: Record<string, string>): boolean {
  const selector = asRecord(rawSelector);
  for (const [key, value] of Object.entries(asRecord(selector.matchLabels))) {
    if (labels[key] !== value) return false;
  }
  for (const rawExpression of asArray(selector.matchExpressions)) {
    const expression = asRecord(rawExpression);
    const key = asString(expression.key) ?? '';
    const values = asArray(expression.values).filter((v): v is string => typeof v === 'string');
    const present = Object.prototype.hasOwnProperty.call(labels, key);
    switch (expression.operator) {
      case 'In':
        if (!present || !values.includes(labels[key]!)) return false;
        break;
      case 'NotIn':
        if (present && values.includes(labels[key]!)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false; // an unknown operator selects nothing, as the API server would reject it
    }
  }
  return true;
}
