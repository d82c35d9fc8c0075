// @inkjs/ui's theme, with every colour removed when NO_COLOR is set.
import { defaultTheme, extendTheme, type Theme } from '@inkjs/ui';

const noColor: Theme = {
  components: {
    Spinner: { styles: { container: () => ({ gap: 1 }), frame: () => ({}), label: () => ({}) } },
    Select: {
      styles: {
        container: () => ({ flexDirection: 'column' }),
        option: ({ isFocused }: { isFocused: boolean }) => ({ gap: 1, paddingLeft: isFocused ? 0 : 2 }),
        selectedIndicator: () => ({}),
        focusIndicator: () => ({}),
        label: () => ({}),
        highlightedText: () => ({}),
      },
    },
  },
};

export function uiTheme(color: boolean): Theme {
  return color ? defaultTheme : extendTheme(defaultTheme, noColor);
}
