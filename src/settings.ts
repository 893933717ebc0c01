import { ISettingRegistry } from '@jupyterlab/settingregistry';

/**
 * Load a plugin's settings, then call `apply` with them now and after every change.
 * Without a setting registry the plugin keeps its built-in defaults.
 */
export function followSettings(
  registry: ISettingRegistry | null,
  pluginId: string,
  apply: (settings: ISettingRegistry.ISettings) => void
): void {
  if (!registry) {
    return;
  }
  registry
    .load(pluginId)
    .then(settings => {
      settings.changed.connect(() => apply(settings));
      apply(settings);
    })
    .catch(reason => {
      console.error(
        `DL Coach: could not load the settings of ${pluginId}.`,
        reason
      );
    });
}
