/**
 * A table that renders only the rows in view (@tanstack/react-virtual), so 100,000 rows scroll as
 * smoothly as 100. It stays a real <table> (role "table", rows and cells) for screen readers and tests:
 * rows outside the view are replaced by two spacer rows that keep the scroll height.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useRef, type ReactNode } from 'react';

export type Column<T> = {
  key: string;
  header: string;
  render: (row: T) => ReactNode;
  align?: 'left' | 'right';
  width?: number | string;
};

export type VirtualTableProps<T> = {
  /** Accessible name of the table. */
  label: string;
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (row: T) => string | number;
  /** Height of the scrolling area in px (default 420). */
  height?: number;
  /** Fixed row height in px (default 28). */
  rowHeight?: number;
  onRowClick?: (row: T) => void;
  selectedKey?: string | number | null;
  rowClassName?: (row: T) => string | undefined;
  /** Shown instead of the table when there are no rows. */
  empty?: ReactNode;
  testId?: string;
};

export function VirtualTable<T>(props: VirtualTableProps<T>) {
  const { rows, columns, rowHeight = 28, height = 420 } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => rowHeight, overscan: 12 });
  if (rows.length === 0 && props.empty !== undefined) return <>{props.empty}</>;
  const items = virtualizer.getVirtualItems();
  const top = items.length > 0 ? items[0]!.start : 0;
  const bottom = items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  return (
    <div className="vtable" ref={scrollRef} style={{ height, overflow: 'auto' }} data-testid={props.testId} tabIndex={0} aria-label={`${props.label} (scrollable)`} role="region">
      <table className="table" aria-label={props.label} aria-rowcount={rows.length + 1}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} style={{ width: c.width, textAlign: c.align ?? 'left' }} scope="col">{c.header}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {top > 0 && <tr aria-hidden="true" style={{ height: top }} />}
          {items.map((item) => {
            const row = rows[item.index]!;
            const key = props.rowKey(row);
            const cls = [props.rowClassName?.(row), props.selectedKey === key ? 'selected' : undefined, props.onRowClick ? 'clickable' : undefined].filter(Boolean).join(' ');
            return (
              <Row
                key={key}
                row={row}
                columns={columns as readonly Column<unknown>[]}
                height={rowHeight}
                className={cls || undefined}
                index={item.index}
                selected={props.selectedKey !== undefined && props.selectedKey !== null ? props.selectedKey === key : undefined}
                onRowClick={props.onRowClick as ((row: unknown) => void) | undefined}
              />
            );
          })}
          {bottom > 0 && <tr aria-hidden="true" style={{ height: bottom }} />}
        </tbody>
      </table>
    </div>
  );
}

type RowProps = {
  row: unknown;
  columns: readonly Column<unknown>[];
  height: number;
  className: string | undefined;
  index: number;
  selected: boolean | undefined;
  onRowClick: ((row: unknown) => void) | undefined;
};

/** One row, re-rendered only when its own props change: scrolling renders just the rows coming into view. */
const Row = memo(function Row({ row, columns, height, className, index, selected, onRowClick }: RowProps) {
  return (
    <tr style={{ height }} className={className} aria-rowindex={index + 2} aria-selected={selected} onClick={onRowClick ? () => onRowClick(row) : undefined}>
      {columns.map((c) => (
        <td key={c.key} style={{ textAlign: c.align ?? 'left' }}>{c.render(row)}</td>
      ))}
    </tr>
  );
});
