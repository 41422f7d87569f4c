/** A person (or bot) of one app. `id` is the app's own string id ("sss", "user-a"). */
export interface User {
  appId: string;
  id: string;
  numId: number;
  username: string;
  nickname: string;
  avatarUrl: string;
  description: string;
  isRobot: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserInput {
  username?: string;
  nickname?: string;
  avatarUrl?: string;
  description?: string;
  isRobot?: boolean;
  password?: string;
}
