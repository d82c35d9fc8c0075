// Which screen is showing: a stack, so Esc always goes back where you came from.
export type Screen =
  | { name: 'home' }
  | { name: 'lesson'; lessonId: string }
  | { name: 'playground'; lessonId: string; stepIndex: number }
  | { name: 'help' };

/** What every screen may ask of the app (App.tsx makes it). Here, not in App.tsx, so screens need not import the root that imports them. */
export interface Navigator {
  push(screen: Screen): void;
  back(): void;
  toggleHelp(): void;
  quit(): void;
}

export type NavigationAction = { type: 'push'; screen: Screen } | { type: 'back' } | { type: 'toggle-help' };

export function navigationReducer(stack: Screen[], action: NavigationAction): Screen[] {
  switch (action.type) {
    case 'push':
      return [...stack, action.screen];
    case 'back':
      return stack.length > 1 ? stack.slice(0, -1) : stack;
    case 'toggle-help':
      return stack[stack.length - 1]!.name === 'help' ? stack.slice(0, -1) : [...stack, { name: 'help' }];
  }
}
