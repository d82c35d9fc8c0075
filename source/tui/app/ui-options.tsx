// Options every view reads: presenter mode and whether colour is allowed.
import React, { createContext, useContext } from 'react';

export interface UiOptions {
  presenter: boolean;
  color: boolean;
}

const UiOptionsContext = createContext<UiOptions>({ presenter: false, color: true });

export function UiOptionsProvider({ value, children }: { value: UiOptions; children: React.ReactNode }) {
  return <UiOptionsContext.Provider value={value}>{children}</UiOptionsContext.Provider>;
}

export function useUiOptions(): UiOptions {
  return useContext(UiOptionsContext);
}
