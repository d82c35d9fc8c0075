// `as=Table` answers for `kubectl get`: the kind's own columns (from the
// catalogue) or NAME and AGE. kubectl prints cells as given, so ages are
// already human strings (5s, 3m, 2d).
import type { KubeObject } from '../store/store-types.js';
import type { ResourceType, TableColumn } from '../resources/types.js';

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

export function wantsTable(accept: string | undefined): boolean {
  return Boolean(accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept));
}

/** The short age kubectl shows: 45s, 3m12s below 10 minutes... kept simple: s, m, h, d. */
export function humanAge(since: string | undefined, now = Date.now()): string {
  if (!since) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return `${minutes}m${seconds % 60 ? `${seconds % 60}s` : ''}`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

const nameColumn: TableColumn = { name: 'Name', type: 'string', description: 'Name must be unique within a namespace.', cell: (o) => o.metadata.name };
const ageColumn: TableColumn = { name: 'Age', type: 'string', description: 'CreationTimestamp', cell: (o) => humanAge(o.metadata.creationTimestamp) };

function columnsFor(type: ResourceType): TableColumn[] {
  if (!type.table?.length) return [nameColumn, ageColumn];
  const hasName = type.table.some((c) => c.name.toLowerCase() === 'name');
  return hasName ? type.table : [nameColumn, ...type.table];
}

function safeCell(column: TableColumn, object: KubeObject): string | number {
  try {
    const value = column.cell(object);
    return value === undefined || value === null || value === '' ? '<none>' : value;
  } catch {
    return '<unknown>';
  }
}

export function toTable(type: ResourceType, objects: KubeObject[], resourceVersion: string, includeObject: string | undefined, apiVersion: string) {
  const columns = columnsFor(type);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type === 'date' ? 'string' : c.type,
      format: c === nameColumn || c.name.toLowerCase() === 'name' ? 'name' : '',
      description: c.description ?? c.name,
      priority: c.wide ? 1 : 0,
    })),
    rows: objects.map((o) => ({
      cells: columns.map((c) => safeCell(c, o)),
      object:
        includeObject === 'Object'
          ? { ...o, apiVersion }
          : includeObject === 'None'
            ? undefined
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
