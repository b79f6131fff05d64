/** Entry point of terraform-provider-managed: serves the managed.dev provider over the plugin protocol. */
import { serve } from './framework';
import { createManagedProvider } from './managed/provider';

void serve(createManagedProvider());
