// The outside world (runner, probe, cluster) reaches the screens only through
// this context, so tests inject fakes and the views stay hermetic.
import React, { createContext, useContext } from 'react';
import type { WorkshopServices } from '../model.js';

const ServicesContext = createContext<WorkshopServices | null>(null);

export function ServicesProvider({ value, children }: { value: WorkshopServices; children: React.ReactNode }) {
  return <ServicesContext.Provider value={value}>{children}</ServicesContext.Provider>;
}

export function useServices(): WorkshopServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices: no ServicesProvider above this component');
  return services;
}
