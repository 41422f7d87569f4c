export interface App {
  id: string;
  name: string;
  clientKey: string;
  createdAt: Date;
}

/** What creating an app returns: the only time the API key is shown. */
export interface AppCredentials {
  appId: string;
  name: string;
  clientKey: string;
  apiKey: string;
}
