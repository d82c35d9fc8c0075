// Which screen is showing: a stack, so Esc always goes back where you came from.
export type Screen =
  | { name: 'home' }
  | { name: 'lesson'; lessonId: string }
  /** The end of a lesson: what you did, what you saw, the lab text's corrections, the next lesson. */
  | { name: 'summary'; lessonId: string }
  | { name: 'playground'; lessonId: string; stepIndex: number }
  | { name: 'help' };

export type NavigationAction =
  | { type: 'push'; screen: Screen }
  | { type: 'back' }
  | { type: 'toggle-help' }
  /** Home, then this lesson: Esc from it goes home, not back through the lesson before. */
  | { type: 'open-lesson'; lessonId: string }
  | { type: 'home' };

export function navigationReducer(stack: Screen[], action: NavigationAction): Screen[] {
  switch (action.type) {
    case 'push':
      return [...stack, action.screen];
    case 'back':
      return stack.length > 1 ? stack.slice(0, -1) : stack;
    case 'open-lesson':
      return [{ name: 'home' }, { name: 'lesson', lessonId: action.lessonId }];
    case 'home':
      return [{ name: 'home' }];
    case 'toggle-help':
      return stack[stack.length - 1]!.name === 'help' ? stack.slice(0, -1) : [...stack, { name: 'help' }];
  }
}
