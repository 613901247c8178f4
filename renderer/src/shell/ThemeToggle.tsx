import { themeChoices, useTheme, type ThemeChoice } from './theme-store.js';

const labels: Record<ThemeChoice, string> = { system: 'System', light: 'Light', dark: 'Dark' };

/** System / Light / Dark: a radio group in the sidebar, remembered across reloads. */
export function ThemeToggle() {
  const choice = useTheme((s) => s.choice);
  const choose = useTheme((s) => s.choose);
  return (
    <fieldset className="theme-toggle" data-theme-choice={choice}>
      <legend className="theme-toggle__legend">Theme</legend>
      <div className="theme-toggle__options">
        {themeChoices.map((option) => (
          <label key={option} className={`theme-toggle__option${option === choice ? ' theme-toggle__option--on' : ''}`}>
            <input type="radio" name="slipway-theme" value={option} checked={option === choice} onChange={() => choose(option)} />
            {labels[option]}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
