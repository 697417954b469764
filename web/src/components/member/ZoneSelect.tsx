/** A labelled choice of IANA time zone, the browser's own first in mind. */
import { useMemo } from 'react';
import { detectedZone, zoneChoices } from './zones.ts';

export function ZoneSelect({
  value,
  onChange,
  also = [],
}: {
  value: string;
  onChange: (zone: string) => void;
  also?: string[];
}) {
  const detected = detectedZone();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the list changes only with the extra zones
  const zones = useMemo(() => zoneChoices(detected, value, ...also), [detected, value, also.join()]);
  return (
    <label className="zone-select">
      Show times in this time zone
      <select value={value} onChange={(event) => onChange(event.target.value)}>
        {zones.map((zone) => (
          <option key={zone} value={zone}>
            {zone}
            {zone === detected ? ' (this device)' : ''}
          </option>
        ))}
      </select>
    </label>
  );
}
